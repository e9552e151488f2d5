-- Where feedback on answers goes in a group chat: 'auto' (private when the group's message
-- budget runs short), 'group' or 'private'; set by admins with /feedback. Both dialects.
ALTER TABLE chats ADD COLUMN feedback TEXT NOT NULL DEFAULT 'auto';
