"""Gather, plan, run, stage and publish: the build that ties the stages together."""
