"""The website widget: ``widget.js``, one script a shop adds to its own pages (docs/widget.md)."""
