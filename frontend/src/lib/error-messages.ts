import { ApiError } from './api-client'
import { formatBytes } from './format'
import type { Limits } from './api-types'
import { IMAGE_FORMATS } from './formats'

export interface ErrorMessage {
  /** what happened, in plain words */
  title: string
  /** what to do about it, or the service's own detail */
  hint?: string
}

interface Context {
  limits?: Limits | null
  /** which kind of upload the user made: sets the limit quoted for `file_too_large` */
  upload?: 'image' | 'video'
  /** the name of the file the error is about, to say which one */
  filename?: string
}

/** An API error (or anything thrown) as words for the person who just acted. */
export function describeError(error: unknown, context: Context = {}): ErrorMessage {
  if (!(error instanceof ApiError)) {
    return { title: 'Something went wrong.', hint: error instanceof Error ? error.message : undefined }
  }
  const { limits, upload = 'image', filename } = context
  const file = filename ? `“${filename}”` : 'This file'
  const limit = upload === 'video' ? limits?.max_video_bytes : limits?.max_image_bytes
  switch (error.code) {
    case 'file_too_large':
      return {
        title: `${file} is too large.`,
        hint: limit
          ? `The limit is ${formatBytes(limit)} per ${upload}. Try a smaller or more compressed file.`
          : 'Try a smaller or more compressed file.',
      }
    case 'image_too_large':
      return {
        title: `${filename ? file : 'This image'} has too many pixels to analyse.`,
        hint: limits
          ? `The limit is ${Math.round(limits.max_image_pixels / 1e6)} megapixels. Try a smaller version.`
          : 'Try a smaller version of it.',
      }
    case 'empty_file':
      return { title: `${file} is empty.`, hint: 'Choose another file.' }
    case 'undecodable_image':
      return {
        title: `${file} is not an image we can read.`,
        hint: `Try a photo in one of the formats we read: ${IMAGE_FORMATS}.`,
      }
    case 'unreadable_video':
      return { title: `We could not read ${filename ? file : 'this video'}.`, hint: error.detail }
    case 'too_many_files':
      return {
        title: 'Too many files at once.',
        hint: limits
          ? `Send at most ${limits.max_batch_files} images per batch.`
          : error.detail,
      }
    case 'unknown_model':
      return {
        title: 'One of the chosen models is not available.',
        hint: 'Reload the page to see the models the service has loaded.',
      }
    case 'invalid_api_key':
      return {
        title: 'This service needs an API key.',
        hint: 'Enter it under “API key” at the bottom of the page.',
      }
    case 'not_ready':
      return { title: 'The models are still loading.', hint: 'Try again in a moment.' }
    case 'network_error':
      return {
        title: 'Cannot reach the FaceProof service.',
        hint: 'Check your connection and try again.',
      }
    case 'timeout':
      return {
        title: 'The service took too long to answer.',
        hint: 'Try again, perhaps with a smaller file.',
      }
    case 'analysis_not_found':
      return { title: 'This analysis no longer exists.', hint: 'It may have been deleted.' }
    case 'job_not_found':
      return { title: 'This video job has expired.', hint: 'Upload the video again.' }
    case 'storage_unavailable':
      return {
        title: 'The service has no room to keep this file right now.',
        hint: 'Nothing was recorded. Try again in a minute.',
      }
    case 'history_unavailable':
      return {
        title: 'The service could not record this analysis.',
        hint: 'Nothing was recorded. Try again in a minute.',
      }
    case 'job_queue_full':
      return {
        title: 'Too many videos are being analysed right now.',
        hint: 'Try again in a minute.',
      }
    case 'temp_space_full':
      return {
        title: 'The service has no room for another upload right now.',
        hint: 'Try again in a minute, or with a smaller file.',
      }
    case 'invalid_request':
      return { title: 'The request was not accepted.', hint: error.detail }
    default:
      return {
        title: error.status >= 500 ? 'The service failed on this request.' : 'Something went wrong.',
        hint: error.detail,
      }
  }
}
