// Import FIRST in a test file to have the logger (level read at module load) emit every level.
process.env.AVTRZ_LOG_LEVEL = 'debug';
