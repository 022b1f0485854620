"""`accord demo`: the order-to-shipment scenario of the domain brief, end to end, on embedded defaults."""
