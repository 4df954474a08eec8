import base from '@grove/eslint-config/base';

export default base;
