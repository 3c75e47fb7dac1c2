"""Program settings (directors): the period length, the minimum group size, goal categories and how often
the program's own instruments are asked; every change is kept with who made it and when, and a change
that could make figures already published identify someone is refused with why."""

import streamlit as st

from analytics import disclosure, program_settings
from ui.data import cached_read
from ui.data import program_settings as program_of
from ui.settings import (
    cadence_section,
    cadences,
    categories,
    categories_section,
    current_values,
    health_section,
    history_table,
    minimum_form,
    period_form,
)
from ui.viewer import require_viewer

resources, viewer = require_viewer("director")

program = program_of(resources, viewer)
minimum = cached_read(resources, disclosure.min_group_size, viewer)
listed = categories(resources, viewer)
chosen = cadences(resources, viewer)

st.title("Program settings")
st.caption(f"{program['name']}: every change is recorded below with who made it and when.")
current_values(program, minimum, listed, chosen)

st.header("Minimum group size")
minimum_form(resources, viewer, minimum)

st.header("Period length")
period_form(resources, viewer, program["period_months"])

st.header("Goal categories")
categories_section(resources, viewer, listed)

st.header("How often instruments are asked")
cadence_section(resources, viewer, chosen)

st.header("Pair health thresholds")
health_section(resources, viewer)

st.header("Changes")
history_table(cached_read(resources, program_settings.setting_history, viewer))
