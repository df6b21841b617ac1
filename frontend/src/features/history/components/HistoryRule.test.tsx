import { screen } from '@testing-library/react'
import { historyItem } from '@/test/fixtures'
import { mockApi } from '@/test/mock-api'
import { renderApp } from '@/test/render'
import { HistoryDetail } from './HistoryDetail'

// issue 14 "one rule": History draws the bars and the timeline over the rule that decided,
// as recorded with the analysis, not over a 50 % line of its own (with its owner: the history's
// migration 0005 gave older records one)
describe('HistoryDetail and the rule that decided', () => {
  const decision = { threshold: 0.308, low: 0.201, high: 0.44 }

  it('draws the bars over the recorded rule, coloured as live', async () => {
    const item = historyItem({
      id: 'r1', prediction: 'UNCERTAIN', fake_probability: 0.35, confidence: 0.65,
      models: ['a', 'b'], model_scores: { a: 0.35, b: 0.3 },
      details: { reason: 'x', decision: { ...decision, owner: 'ensemble' } },
    })
    mockApi({ 'GET /api/history/r1': { body: item } })
    const { container } = renderApp(<HistoryDetail id="r1" />, { path: '/history/r1' })
    expect(await screen.findByTestId('rule-legend')).toHaveTextContent(
      "Regions of the ensemble's rule: Real below 20.1 %Uncertain from 20.1 % to 44.0 %Fake at or above 44.0 %",
    )
    expect(screen.getAllByTestId('score-region')).toHaveLength(9) // a, b and the combined score
    // 35 % under this rule is UNCERTAIN: amber, not the green a 50 % line gave it
    const fills = [...container.querySelectorAll('.score__fill')]
    expect(fills.map((f) => f.classList.contains('score__fill--uncertain'))).toEqual([true, true, true])
  })

  it("draws a past video's timeline over the one model's recorded rule", async () => {
    const item = historyItem({
      id: 'v1', kind: 'video', models: ['resnet50'], model_scores: {},
      details: { decision: { ...decision, owner: 'resnet50' }, timeline: [{ time_s: 0, p: 0.8 }, { time_s: 1, p: 0.1 }] },
    })
    mockApi({ 'GET /api/history/v1': { body: item } })
    renderApp(<HistoryDetail id="v1" />, { path: '/history/v1' })
    expect(await screen.findByTestId('timeline')).toBeInTheDocument()
    expect(screen.getAllByTestId('timeline-region')).toHaveLength(3)
    expect(screen.getByTestId('rule-legend')).toHaveTextContent("Regions of resnet50's rule")
    expect(screen.getByTestId('timeline')).not.toHaveTextContent(/50 %|threshold/)
  })

  it('says the rule is unknown for a record from before rules were kept', async () => {
    const item = historyItem({ id: 'o1', details: { reason: 'x' } })
    mockApi({ 'GET /api/history/o1': { body: item } })
    const { container } = renderApp(<HistoryDetail id="o1" />, { path: '/history/o1' })
    expect(await screen.findByTestId('rule-legend')).toHaveTextContent('The decision rule was not recorded')
    expect(screen.queryAllByTestId('score-region')).toHaveLength(0)
    expect(container.querySelector('.score__fill')).toHaveClass('score__fill--unknown')
  })
})
