"""The site: what sits on top of the domain apps (home, navigation, the imports page, the
general pages). Nothing below imports it."""
