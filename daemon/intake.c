/* The intake backends' common part: choosing one, freeing positions. */
#include "intake.h"

#include <stdlib.h>

const struct intake_ops *
intake_ops_for(const struct config *cfg)
{
	switch (cfg->intake.kind) {
	case INTAKE_IMAP:
		return &intake_imap_ops;
	case INTAKE_MAILDIR:
		return &intake_maildir_ops;
	default:
		return NULL;
	}
}

void
intake_pos_free_all(struct intake_pos *pos, size_t n)
{
	if (pos == NULL)
		return;
	for (size_t i = 0; i < n; i++)
		free(pos[i].name);
	free(pos);
}
