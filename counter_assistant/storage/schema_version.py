"""The counter database's schema version (PRAGMA user_version) this release writes.

Its own module so that start-up can compare it without importing peewee and the models;
storage/migrations.py checks at import that its last step is this number.
"""

SCHEMA_VERSION = 4
