import { AppError } from '@grove/contract';

import { withUser } from '@/lib/api/with-user';

/** Unknown /api paths: 401 without a session (nothing is revealed), 404 with one. */
const notFound = withUser<{ path: string[] }>(() =>
  Promise.reject(new AppError('not_found', 'No such route')),
);

export {
  notFound as GET,
  notFound as POST,
  notFound as PUT,
  notFound as PATCH,
  notFound as DELETE,
  notFound as OPTIONS,
};
