"""The officials' guides (docs/*.md) served as staff pages in the admin (issue 15)."""
