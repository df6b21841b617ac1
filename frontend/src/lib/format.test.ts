import {
  formatBytes,
  formatClock,
  formatDuration,
  formatFakePercent,
  formatFakeProbability,
  formatPercent,
  formatTimestamp,
  sentence,
  verdictHeadline,
  verdictHeadlineParts,
  verdictLabel,
  verdictSlug,
} from './format'

describe('format', () => {
  it('writes the one number: the probability that the face is fake', () => {
    expect(formatFakeProbability(0.88)).toBe('88 % likely fake')
    expect(formatFakeProbability(0.04, 'REAL')).toBe('4 % likely fake')
    expect(formatFakeProbability(0.637, 'FAKE')).toBe('64 % likely fake')
  })

  it('says which way an uncertain result leans, against the threshold', () => {
    expect(formatFakeProbability(0.38, 'UNCERTAIN')).toBe('38 % likely fake, leans real')
    expect(formatFakeProbability(0.55, 'UNCERTAIN')).toBe('55 % likely fake, leans fake')
    expect(formatFakeProbability(0.55, 'UNCERTAIN', 0.6)).toBe('55 % likely fake, leans real')
    expect(formatFakeProbability(0.5, 'UNCERTAIN')).toBe('50 % likely fake, right on the line')
  })

  it('never rounds to a certainty the models did not give', () => {
    expect(formatFakePercent(0.996)).toBe('>99 %')
    expect(formatFakePercent(0.003)).toBe('<1 %')
    expect(formatFakePercent(1)).toBe('100 %')
    expect(formatFakePercent(0)).toBe('0 %')
  })

  it('writes the verdict headline with the fake probability, not max(p, 1 - p)', () => {
    expect(verdictHeadline('FAKE', 0.88)).toBe('FAKE · 88 % likely fake')
    expect(verdictHeadline('REAL', 0.04)).toBe('REAL · 4 % likely fake')
    expect(verdictHeadline('UNCERTAIN', 0.38)).toBe('UNCERTAIN · 38 % likely fake, leans real')
    // the grey square that used to read "Fake – 50.2 %" above "49.8 % fake"
    expect(verdictHeadline('UNCERTAIN', 0.498)).toBe('UNCERTAIN · 50 % likely fake, right on the line')
    expect(verdictHeadline('UNCERTAIN', 0.393)).toBe('UNCERTAIN · 39 % likely fake, leans real')
  })

  it('says there is no verdict when no face was found', () => {
    expect(verdictHeadline('NO_FACE', null)).toBe('NO VERDICT · no face found')
    expect(verdictHeadlineParts('NO_FACE', null)).toEqual({ word: 'NO VERDICT', detail: 'no face found' })
    expect(verdictLabel('NO_FACE')).toBe('No face found')
    expect(verdictSlug('NO_FACE')).toBe('no-face')
    expect(verdictSlug('UNCERTAIN')).toBe('uncertain')
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
