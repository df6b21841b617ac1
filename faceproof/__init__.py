"""FaceProof: tells whether a face in an image or video is real or a deepfake, and shows why."""

__version__ = "0.1.0"
