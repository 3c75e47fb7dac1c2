"""The REDCap import page's building blocks: one form's preview (items, scale, subscales, refused fields)."""

import pandas as pd
import streamlit as st

from analytics.redcap import REFERENCE, FormPreview
from ui.tables import show_table
from ui.text import as_text


def items_table(form: FormPreview) -> pd.DataFrame:
    """The items the form becomes, in order: REDCap variable, wording (as typed in REDCap), what it measures, subscale."""
    return pd.DataFrame(
        [
            {
                "variable": item["reference"].removeprefix(REFERENCE),
                "item": item["text"],
                "measures": item["measures"],
                "subscale": item.get("subscale", ""),
            }
            for item in form.data["items"]
        ],
        columns=["variable", "item", "measures", "subscale"],
    )


def refusals_table(form: FormPreview) -> pd.DataFrame:
    return pd.DataFrame(
        [{"variable": r.variable, "field type": r.field_type, "why it is left out": r.reason} for r in form.refusals],
        columns=["variable", "field type", "why it is left out"],
    )


def show_form_preview(form: FormPreview) -> None:
    """What the form would become; every text from the file is shown as text (escaped, or in a table)."""
    if not form.importable:
        st.info(as_text(f"This form cannot become an instrument: {form.problem}."))
    else:
        points = form.data["scale"]["points"]
        st.markdown(f"**Scale** ({len(points)} points): " + as_text(", ".join(f"{p['value']} = {p['label']}" for p in points)))
        subscales = list(dict.fromkeys(item["subscale"] for item in form.data["items"] if item.get("subscale")))
        st.markdown("**Subscales** (REDCap matrix groups): " + (as_text("; ".join(subscales)) if subscales else "none"))
        st.markdown(f"**{len(form.data['items'])} rated items**")
        show_table(items_table(form), key=f"redcap-items-{form.form}", file_name=f"{form.form}-items.csv")
    if form.refusals:
        st.markdown(f"**{len(form.refusals)} fields left out**")
        show_table(refusals_table(form), key=f"redcap-refusals-{form.form}", file_name=f"{form.form}-left-out.csv")
