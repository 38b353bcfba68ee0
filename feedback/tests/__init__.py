# The table of the database cache in tests (the root conftest's ``database_cache``).
DATABASE_CACHE_TABLE = "tj_test_database_cache"
