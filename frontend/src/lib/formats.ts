// What the API accepts, for the upload hints and error messages. Images: the Pillow formats
// faceproof/decode.py allows (SUPPORTED_FORMATS); videos: what OpenCV opens, by the suffixes
// backend/services/kept_uploads.py knows (VIDEO_SUFFIXES).

export const IMAGE_FORMATS = 'JPEG, PNG, WebP, AVIF, GIF, BMP, TIFF, PPM, TGA or ICO'

export const VIDEO_FORMATS = 'MP4, MOV, AVI, MKV, WebM, M4V, MPEG or 3GP'

export const VIDEO_ACCEPT = 'video/*,.mp4,.mov,.avi,.mkv,.webm,.m4v,.mpg,.mpeg,.3gp'
