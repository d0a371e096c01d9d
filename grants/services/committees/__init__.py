"""Selection committees: the weighted grid of a call (grids), sessions, members and declarations of
interest (sessions), blind score sheets and their tallies (scoring), the ranking within the
envelope and the chair's decisions (selection), and the minutes as a hashed PDF (minutes)."""
