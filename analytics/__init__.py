"""The core of the mentorship dashboard: plain Python, no Streamlit.

Every SQL statement of the app lives in this package; pages and ui/ call its functions
and get DataFrames back, which charts/ draws.
"""
