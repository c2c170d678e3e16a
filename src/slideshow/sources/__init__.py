"""Reading what an archive already holds, for `slideshow init`: folders of photographs with
their embedded captions, item lists (CSV, XLSX), OHMS indexes, recordings and transcripts.

Each reader returns plain facts and a list of warnings; none of them writes anything.
"""
