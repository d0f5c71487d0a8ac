"""Pure builders of Dash components: KPI tiles, incident table, ticker, charts."""
