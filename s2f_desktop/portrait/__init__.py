"""From voice attributes to a face: posterior, latent, rendering."""
