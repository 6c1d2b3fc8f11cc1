"""Notifications: in-app and by email, as each person chooses per kind, in their language.

``events`` says who hears of what (called from the write paths: improvement items, comments,
sharing, lens versions); ``delivery.notify`` stores and mails; ``scheduled`` holds the daily
checks (due soon, overdue) and the digest, run by the scheduler (reviewapp/scheduling.py).
"""
