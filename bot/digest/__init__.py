"""The daily digest, platform-neutral: destinations, what to post, the exactly-once delivery log and leases.

Adapters (adapters/digest) render and post; this package decides what is posted, when, and that it is posted
once: a delivery log row is written before each post and updated after it, and interrupted posts are
reconciled with the platform before anything is posted again.
"""
