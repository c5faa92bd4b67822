"""The pipeline: claim stored interactions, classify, build the decision context, decide, hand the plan to act."""
