"""The situation overview of the landing page and the map: my areas, changes, latest reports."""
