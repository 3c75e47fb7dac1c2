"""Help: what each role sees, the privacy rule in plain words, the guidance in full, and how each
assessment traces to it. For everyone signed in: the program's own instruments are its business."""

import streamlit as st

from analytics.disclosure import min_group_size
from analytics.guidance import source
from analytics.guide import ROLE_TITLES, ROLES, guidance_blocks, instrument_traces, privacy_in_plain_words, what_each_role_sees
from analytics.program_settings import own_instruments
from ui.data import cached_read
from ui.text import as_text
from ui.viewer import require_viewer

resources, viewer = require_viewer()

st.title("Help")
st.write(
    "This app follows one short text, the American Society of Hematology's guidance on a good mentor-mentee "
    "relationship. Every question it asks comes from a sentence of it. Below: who sees what, the privacy rule, the "
    "guidance in full, and where each question comes from."
)
minimum = cached_read(resources, min_group_size, viewer)

st.header("Who sees what")
views = what_each_role_sees(minimum)
for role in sorted(ROLES, key=lambda role: not viewer.has(role)):  # the viewer's own roles first
    st.subheader(f"{ROLE_TITLES[role]} sees" + (" (you)" if viewer.has(role) else ""))
    st.markdown("\n".join(f"- {as_text(sentence)}" for sentence in views[role]))

st.header("Privacy in plain words")
st.markdown("\n".join(f"- {as_text(sentence)}" for sentence in privacy_in_plain_words(minimum)))

st.header("The guidance")
about = source()
st.markdown(
    f"**{as_text(about['title'])}**, {as_text(about['publisher'])}: [{as_text(about['url'])}]({about['url']}) "
    f"(copied {as_text(about['copied'])})."
)
blocks = guidance_blocks()
steps = [block for block in blocks if block.kind == "step"]
for block in blocks:
    if block.kind == "paragraph":
        st.markdown(as_text(block.text))
        if block.text.endswith(":") and steps:  # the list of steps follows the sentence that announces it
            st.markdown("\n".join(f"- {as_text(step.text)}" for step in steps))
references = [block for block in blocks if block.kind == "reference"]
if references:
    st.markdown("**References**\n\n" + "\n".join(f"{ref.number}. {as_text(ref.text)}" for ref in references))

st.header("Where each question comes from")
st.write(
    "Each assessment lists its questions with the sentence of the guidance each one comes from. A program's own "
    "assessment cites its own source instead."
)
for traced in instrument_traces(own_instruments(resources.catalogue, viewer.program_id)):
    with st.expander(as_text(traced["title"])):
        st.markdown(f"{as_text(traced['who'])}. Source: {as_text(traced['source'])}.")
        lines = []
        for item in traced["items"]:
            origin = f"From the guidance: \u201c{as_text(item['quote'])}\u201d" if item["quote"] else ""
            if not origin:
                origin = f"From {as_text(item['reference'])}" if item["reference"] else "From the assessment's source"
            subscale = f" ({as_text(item['subscale'])})" if item["subscale"] else ""
            lines.append(f"- **{as_text(item['text'])}**{subscale}  \n  Measures: {as_text(item['measures'])}. {origin}")
        st.markdown("\n".join(lines))
