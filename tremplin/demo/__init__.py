"""The demonstration: fictitious people in real places, generated deterministically, from the
seed's scale (`tremplin demo load`) to the national one (`--national`). It sits on top of the
domain apps and writes through their services (or their bulk paths for the national scale);
its long name lists and catalogue content are data files under `data/`."""
