import { formatBytes, formatClock, formatTimestamp, formatDuration, formatPercent, sentence, verdictHeadline } from './format'

describe('format', () => {
  it('writes the verdict headline', () => {
    expect(verdictHeadline('FAKE', 0.9734)).toBe('Fake – 97.3%')
    expect(verdictHeadline('REAL', 0.5)).toBe('Real – 50.0%')
    expect(verdictHeadline('UNCERTAIN', 0.55)).toBe('Uncertain – 55.0%')
  })

  it('formats sizes, durations and clock times', () => {
    expect(formatPercent(0.0474)).toBe('4.7%')
    expect(formatBytes(512)).toBe('512 B')
    expect(formatBytes(2 * 1024 * 1024)).toBe('2 MB')
    expect(formatBytes(1536)).toBe('1.5 KB')
    expect(formatBytes(20 * 1024 * 1024)).toBe('20 MB')
    expect(formatDuration(226.8)).toBe('227 ms')
    expect(formatDuration(1344)).toBe('1.3 s')
    expect(formatClock(75.4)).toBe('1:15')
    expect(formatTimestamp(0.3)).toBe('0.3 s')
    expect(formatTimestamp(75.4)).toBe('1:15')
  })

  it('turns a reason into a sentence', () => {
    expect(sentence('fake probability 97.3% is above 60.0%')).toBe('Fake probability 97.3% is above 60.0%.')
    expect(sentence('Done.')).toBe('Done.')
    expect(sentence('  ')).toBe('')
  })
})
