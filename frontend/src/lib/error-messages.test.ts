import { ApiError } from './api-client'
import { describeError } from './error-messages'
import { info } from '@/test/fixtures'

const error = (code: string, detail = 'detail from the service') => new ApiError(400, code, detail)

describe('describeError', () => {
  it.each([
    ['file_too_large', 'This file is too large.'],
    ['image_too_large', 'This image has too many pixels to analyse.'],
    ['empty_file', 'This file is empty.'],
    ['undecodable_image', 'This file is not an image we can read.'],
    ['unreadable_video', 'We could not read this video.'],
    ['too_many_files', 'Too many files at once.'],
    ['unknown_model', 'One of the chosen models is not available.'],
    ['invalid_api_key', 'This service needs an API key.'],
    ['not_ready', 'The models are still loading.'],
    ['network_error', 'Cannot reach the FaceProof service.'],
    ['timeout', 'The service took too long to answer.'],
    ['storage_unavailable', 'The service has no room to keep this file right now.'],
    ['history_unavailable', 'The service could not record this analysis.'],
    ['job_queue_full', 'Too many videos are being analysed right now.'],
    ['temp_space_full', 'The service has no room for another upload right now.'],
  ])('puts %s in plain words', (code, title) => {
    expect(describeError(error(code)).title).toBe(title)
  })

  it('names the file the error is about, and the formats we read', () => {
    const named = (code: string) => describeError(error(code), { filename: 'holiday.heic' })
    expect(named('undecodable_image')).toEqual({
      title: '“holiday.heic” is not an image we can read.',
      hint: 'Try a photo in one of the formats we read: JPEG, PNG, WebP, AVIF, GIF, BMP, TIFF, PPM, TGA or ICO.',
    })
    expect(named('file_too_large').title).toBe('“holiday.heic” is too large.')
    expect(named('empty_file').title).toBe('“holiday.heic” is empty.')
    expect(named('image_too_large').title).toBe('“holiday.heic” has too many pixels to analyse.')
    expect(describeError(error('unreadable_video', 'my clip.mp4 could not be opened as a video.'), { filename: 'my clip.mp4', upload: 'video' })).toEqual({
      title: 'We could not read “my clip.mp4”.',
      hint: 'my clip.mp4 could not be opened as a video.',
    })
  })

  it('quotes the limit that applies', () => {
    expect(describeError(error('file_too_large'), { limits: info.limits }).hint).toContain('2 MB per image')
    expect(
      describeError(error('file_too_large'), { limits: info.limits, upload: 'video' }).hint,
    ).toContain('10 MB per video')
    expect(describeError(error('too_many_files'), { limits: info.limits }).hint).toBe(
      'Send at most 4 images per batch.',
    )
  })

  it('falls back to the service detail for an unknown code', () => {
    expect(describeError(error('weird_code', 'it broke'))).toEqual({
      title: 'Something went wrong.',
      hint: 'it broke',
    })
  })

  it('handles errors that are not from the API', () => {
    expect(describeError(new Error('boom'))).toEqual({ title: 'Something went wrong.', hint: 'boom' })
  })
})
