"""Streamlit building blocks shared by the pages: the app's resources, the viewer, forms, charts."""
