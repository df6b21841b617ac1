import { describe, expect, it } from 'vitest'
import { recordedRule, ruleOwner } from './rule'

describe('ruleOwner', () => {
  it('names the owner the API gives: the ensemble decides for its one weighted model too', () => {
    const band = { threshold: 0.4, low: 0.15, high: 0.91, owner: 'ensemble' }
    expect(ruleOwner(band)).toBe("the ensemble's rule")
    expect(ruleOwner({ ...band, owner: 'resnet50' })).toBe("resnet50's rule")
  })

  it('guesses nothing where no owner is given', () => {
    expect(ruleOwner({ owner: null })).toBe('the rule')
    expect(ruleOwner()).toBe('the rule')
  })
})

describe('recordedRule', () => {
  it('keeps the owner a history record holds, and none for an older record', () => {
    const band = { threshold: 0.4, low: 0.15, high: 0.91 }
    expect(recordedRule({ decision: { ...band, owner: 'ensemble' } })?.owner).toBe('ensemble')
    expect(recordedRule({ decision: band })?.owner).toBeNull()
  })
})
