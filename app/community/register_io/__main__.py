"""python -m app.community.register_io: regenerate assets/roster_template.xlsx and
roster_sample.xlsx."""

from .exporting import write_assets

for written in write_assets():
    print(written)
