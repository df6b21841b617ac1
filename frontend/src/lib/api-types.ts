/** Short names for the API's types. They come from `api-schema.ts`, which is generated from
 * the backend's OpenAPI schema (`npm run gen:api`): never write an API type by hand. */
import type { components } from './api-schema'

type Schemas = components['schemas']

export type Verdict = Schemas['Verdict']
export type Box = Schemas['Box']
export type FaceResult = Schemas['FaceResult']
export type DecisionBand = Schemas['DecisionBand']
export type PredictionResponse = Schemas['PredictionResponse']
export type BatchResponse = Schemas['BatchResponse']
export type BatchSummary = Schemas['BatchSummary']
export type BatchItemError = Schemas['BatchItemError']
export type TimelinePoint = Schemas['TimelinePoint']
export type Keyframe = Schemas['Keyframe']
export type VideoResponse = Schemas['VideoResponse']
export type Provenance = Schemas['Provenance']
export type ProvenanceFinding = Schemas['ProvenanceFinding']
export type Stability = Schemas['Stability']
export type JobCreated = Schemas['JobCreated']
export type JobStatus = Schemas['JobStatus']
export type ModelInfo = Schemas['ModelInfo']
export type InfoResponse = Schemas['InfoResponse']
export type Limits = Schemas['Limits']
export type HistoryItem = Schemas['HistoryItem']
export type HistoryPage = Schemas['HistoryPage']
export type ErrorBody = Schemas['ErrorBody']
