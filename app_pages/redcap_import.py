"""Import from REDCap (directors): a data dictionary's forms previewed as program instruments; one is
stored, for the director's own program, only when they confirm it."""

import streamlit as st

from analytics.redcap import WHO, DictionaryError, confirm_import, imported_instruments, read_dictionary
from ui.data import cached_read
from ui.notices import confirm, refusals
from ui.redcap import show_form_preview
from ui.resources import now
from ui.submissions import empty_form, form_key
from ui.tables import show_table
from ui.text import as_text
from ui.viewer import require_viewer

resources, viewer = require_viewer("director")

st.title("Import from REDCap")
st.write(
    "Upload a REDCap data dictionary (the CSV from the project's Data Dictionary page). Each of its forms is "
    "shown as the program instrument it would become: radio, dropdown and slider fields with consecutive codes "
    "become rated items, yes/no and true/false fields two-point items, a matrix group a subscale. Fields the app "
    "cannot ask are listed with the reason. Nothing is stored until you import a form; it is then asked in your "
    "program only, like any program instrument, citing the file as its source."
)

uploaded = st.file_uploader("REDCap data dictionary (CSV)", type="csv", key=form_key("redcap-file"))
if uploaded is not None:
    data = uploaded.getvalue()
    try:
        preview = read_dictionary(data, uploaded.name)
    except DictionaryError as error:
        st.error("This file cannot be imported; nothing was stored.")
        for problem in error.problems:
            st.markdown("- " + as_text(problem))
        preview = None
    if preview is not None:
        for form in preview.forms:
            st.header(as_text(f"Form {form.form}"))
            show_form_preview(form)
            if form.importable:
                who = st.selectbox(
                    "Who answers it",
                    list(WHO),
                    format_func=lambda key: WHO[key][0],
                    key=f"redcap-who-{form.form}",
                )
                if st.button(as_text(f"Import {form.form} into the program"), type="primary", key=f"redcap-import-{form.form}"):
                    with refusals():
                        instrument = confirm_import(
                            resources.store,
                            resources.catalogue,
                            viewer,
                            data,
                            uploaded.name,
                            form.form,
                            who,
                            now(resources.settings),
                        )
                        resources.refresh_catalogue(force=True)
                        empty_form("redcap-file")
                        confirm(
                            f"Imported {instrument.title} (version {instrument.version}, {len(instrument.items)} items): "
                            f"it is asked from this period on."
                        )

st.header("Imported into this program")
imported = cached_read(resources, imported_instruments, viewer)
if imported.empty:
    st.caption("Nothing yet.")
else:
    show_table(imported, key="redcap-imported", file_name="imported-instruments.csv")
