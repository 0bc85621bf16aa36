"""The only code in Convene that speaks HTTP to Unified.to. It imports no Django models."""
