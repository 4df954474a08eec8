import nextjs from '@grove/eslint-config/nextjs';

export default nextjs;
