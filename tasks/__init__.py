"""Tasks: focused units of conversation that return a typed result (AgentTask)."""
