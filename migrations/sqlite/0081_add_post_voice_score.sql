-- add_post_voice_score: the voice score of the post's current revision (NULL: not computed yet)
ALTER TABLE posts ADD COLUMN voice_score INTEGER NULL;
