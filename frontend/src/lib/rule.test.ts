import { describe, expect, it } from 'vitest'
import { recordedRule, ruleOwner } from './rule'

describe('ruleOwner', () => {
  it('names the owner the API gives: the ensemble decides for its one weighted model too', () => {
    const band = { threshold: 0.4, low: 0.15, high: 0.91, owner: 'ensemble' }
    expect(ruleOwner(['efficientnet_lite0'], band)).toBe("the ensemble's rule")
    expect(ruleOwner(['resnet50'], { ...band, owner: 'resnet50' })).toBe("resnet50's rule")
  })

  it('guesses from the models for a record made before the API said', () => {
    expect(ruleOwner(['resnet50'], { owner: null })).toBe("resnet50's rule")
    expect(ruleOwner(['a', 'b'])).toBe("the ensemble's rule")
  })
})

describe('recordedRule', () => {
  it('keeps the owner a history record holds, and none for an older record', () => {
    const band = { threshold: 0.4, low: 0.15, high: 0.91 }
    expect(recordedRule({ decision: { ...band, owner: 'ensemble' } })?.owner).toBe('ensemble')
    expect(recordedRule({ decision: band })?.owner).toBeNull()
  })
})
