"""The people feature's storage: people, their channel identities, roles in units, invites and consent.

``models`` (tables), ``services`` (state changes), ``invites`` (roles and invite codes),
``permissions`` (the scope primitives every feature builds on), ``queries`` (reads).
"""
