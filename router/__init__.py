"""Python Apollo Federation v2 router."""
