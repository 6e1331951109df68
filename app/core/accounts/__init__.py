"""Commune accounts: roles, argon2 passwords, recovery codes, signing in.

:mod:`app.core.accounts.permissions` is the one table of who may do what;
:mod:`app.core.accounts.service` keeps the accounts. Importing this package is light
(the flush hooks import the permission table at start-up).
"""
