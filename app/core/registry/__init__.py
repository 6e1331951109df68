"""Registry services: hamlets, households & people, clans, units, branches & members, search."""
