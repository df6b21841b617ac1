# a package so that a non-editable install (the image) carries the revisions
