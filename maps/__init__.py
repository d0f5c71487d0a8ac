"""Pure builders of Plotly map figures from data frames and GeoDataFrames."""
