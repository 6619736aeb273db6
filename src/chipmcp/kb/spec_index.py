"""What find_chips' catalog queries read beside the figures table: the fields of its spec figures
(KnowledgeBase.spec_figures, stored column-wise by the build: chipmcp.kb.spec_columns) and the indexes of
generations and entities_of_families, named here, where both the build that makes them and the store that
names them in its queries (INDEXED BY: the planner is not left to choose) can import them."""

# The fields of a figure the selection rule reads to choose a spec (KnowledgeBase.spec_figures).
SPEC_FIELDS = (
    "entity",
    "id",
    "value",
    "low",
    "high",
    "unit",
    "precision",
    "sparsity",
    "engine",
    "suspect",
    "preferred",
    "alternatives",
    "conflict_group",
    "text",
)
# The few entities naming a generation, found without a pass over every entity's row.
GENERATION_INDEX = "idx_entities_generation"
# The chips of a listed chip's family (the certification filter), found without reading every chip's row.
FAMILY_INDEX = "idx_entities_family"
