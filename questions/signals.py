"""What the question bank tells the apps that use it, without knowing them (it never imports them).

``lens_published(lens, user)`` is sent after a new version of a lens is committed; reviewapp
listens to tell owners of reviews on an older version (reviewapp/notifications/events.py).
"""

from django.dispatch import Signal

lens_published = Signal()
