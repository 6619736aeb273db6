"""The indexes find_chips' catalog queries read (KnowledgeBase.spec_figures, generations, entities_of_families): named
here, where both the build that makes them and the store that names them in its queries (INDEXED BY: the
planner is not left to choose) can import them."""

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
# A catalog column's query answered from this index alone, its rows in id order: no lookup into the wide
# figures table per row, no sort.
SPEC_INDEX = "idx_figures_spec"
SPEC_INDEX_COLUMNS = ("metric", "period", "id", *(f for f in SPEC_FIELDS if f != "id"))
# The few entities naming a generation, found without a pass over every entity's row.
GENERATION_INDEX = "idx_entities_generation"
# The chips of a listed chip's family (the certification filter), found without reading every chip's row.
FAMILY_INDEX = "idx_entities_family"
