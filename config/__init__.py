"""Project plumbing: settings, the root URLconf, WSGI, site-wide middleware and client addresses.

The domain lives in reviewapp/ (reviews) and questions/ (the bank).
"""
