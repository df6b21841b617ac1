import { ESLint } from 'eslint'

/** The eslint config's import zones (eslint.config.js), on code written for the test. */
async function problems(filePath: string, code: string): Promise<string[]> {
  const eslint = new ESLint()
  const [result] = await eslint.lintText(code, { filePath })
  return (result?.messages ?? [])
    .filter((m) => m.ruleId === 'import-x/no-restricted-paths')
    .map((m) => m.message)
}

describe('import boundaries', () => {
  it('forbid a feature to import another feature', async () => {
    const found = await problems(
      'src/features/analyze/components/Probe.tsx',
      "import { BatchPage } from '@/features/batch/components/BatchPage'\nexport const x = BatchPage\n",
    )
    expect(found).toEqual([expect.stringContaining('A feature imports no other feature')])
    const relative = await problems(
      'src/features/video/components/Probe.tsx',
      "import { getAnalysis } from '../../history/api/get-analysis'\nexport const x = getAnalysis\n",
    )
    expect(relative).toHaveLength(1)
  }, 30_000)

  it('let a feature import itself and the shared folders, and the app import features', async () => {
    expect(
      await problems(
        'src/features/analyze/components/Probe.tsx',
        [
          "import { FaceCard } from '@/components/FaceCard'",
          "import { decidingFace } from '@/lib/deciding-face'",
          "import { AnalyzeOptionsForm } from './AnalyzeOptionsForm'",
          'export const x = [FaceCard, decidingFace, AnalyzeOptionsForm]',
          '',
        ].join('\n'),
      ),
    ).toEqual([])
    expect(
      await problems(
        'src/app/Probe.tsx',
        "import { HistoryPage } from '@/features/history/components/HistoryPage'\nexport const x = HistoryPage\n",
      ),
    ).toEqual([])
  }, 30_000)

  it('forbid shared code to import a feature', async () => {
    const found = await problems(
      'src/components/Probe.tsx',
      "import { getModels } from '@/features/models/api/get-models'\nexport const x = getModels\n",
    )
    expect(found).toEqual([expect.stringContaining('Shared code imports no feature')])
  }, 30_000)
})
