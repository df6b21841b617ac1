"""What the routes call: uploads, analyses, the history, video jobs, presenters, reports."""
