// Sortable ids (ULID) are shared with the scheduler; they live in @mo/api.
export { newId } from '@mo/api';
